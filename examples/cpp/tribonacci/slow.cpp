// Ways to climb n stairs with steps of 1, 2 or 3 (mod 1e9+7), by plain recursion.
#include <bits/stdc++.h>
using namespace std;
const long long MOD = 1000000007;
long long ways(int n) {
    if (n < 0) return 0;
    if (n == 0) return 1;
    return (ways(n - 1) + ways(n - 2) + ways(n - 3)) % MOD;
}
int main() {
    int n;
    cin >> n;
    cout << ways(n) << "\n";
}
