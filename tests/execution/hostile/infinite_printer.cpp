// Prints without end; the output cap must stop it.
#include <cstdio>
int main() {
    while (true) fputs("spam spam spam spam spam spam spam spam\n", stdout);
}
