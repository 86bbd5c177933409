// Asks for 64 GiB at once; the address-space limit must refuse it.
#include <cstdio>
#include <cstring>
#include <vector>
int main() {
    std::vector<char> huge(64ULL << 30);
    memset(huge.data(), 1, huge.size());
    printf("%d\n", huge[12345]);
}
