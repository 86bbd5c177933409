// Sum of the primes up to n, by trial division against every smaller number.
#include <bits/stdc++.h>
using namespace std;
int main() {
    int n;
    cin >> n;
    long long sum = 0;
    for (int i = 2; i <= n; i++) {
        bool prime = true;
        for (int j = 2; j < i; j++)
            if (i % j == 0) { prime = false; break; }
        if (prime) sum += i;
    }
    cout << sum << endl;
}
