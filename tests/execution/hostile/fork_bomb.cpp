// Forks without end; the process limit and the time limit must stop it and leave nothing behind.
#include <unistd.h>
int main() {
    while (true) fork();
}
