// Ways to climb n stairs with steps of 1, 2 or 3 (mod 1e9+7), by dynamic programming.
#include <bits/stdc++.h>
using namespace std;
const long long MOD = 1000000007;
int main() {
    int n;
    cin >> n;
    vector<long long> ways(n + 1, 0);
    ways[0] = 1;
    for (int i = 1; i <= n; i++)
        for (int step = 1; step <= 3 && step <= i; step++) ways[i] = (ways[i] + ways[i - step]) % MOD;
    cout << ways[n] << "\n";
}
