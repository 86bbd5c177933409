// Spins forever; the time limit must stop it.
int main() {
    volatile unsigned long long x = 0;
    while (true) x++;
}
