// Sum n integers read with a hand-rolled buffered reader.
#include <bits/stdc++.h>
using namespace std;
static char buf[1 << 16];
static size_t len = 0, pos = 0;
static int next_char() {
    if (pos == len) {
        len = fread(buf, 1, sizeof buf, stdin);
        pos = 0;
        if (len == 0) return -1;
    }
    return buf[pos++];
}
static long long read_int() {
    int c = next_char();
    while (c != '-' && (c < '0' || c > '9')) c = next_char();
    bool negative = c == '-';
    if (negative) c = next_char();
    long long value = 0;
    for (; c >= '0' && c <= '9'; c = next_char()) value = value * 10 + (c - '0');
    return negative ? -value : value;
}
int main() {
    int n = read_int();
    long long sum = 0;
    for (int i = 0; i < n; i++) sum += read_int();
    printf("%lld\n", sum);
}
