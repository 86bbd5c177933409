// Sum of the primes up to n with a sieve of Eratosthenes.
#include <bits/stdc++.h>
using namespace std;
int main() {
    int n;
    cin >> n;
    vector<bool> composite(n + 1, false);
    long long sum = 0;
    for (long long i = 2; i <= n; i++) {
        if (composite[i]) continue;
        sum += i;
        for (long long j = i * i; j <= n; j += i) composite[j] = true;
    }
    cout << sum << "\n";
}
