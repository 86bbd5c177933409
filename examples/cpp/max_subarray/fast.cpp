// Largest sum of a non-empty contiguous subarray with Kadane's algorithm.
#include <bits/stdc++.h>
using namespace std;
int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    int n;
    cin >> n;
    long long best = LLONG_MIN, here = 0;
    for (int i = 0; i < n; i++) {
        long long x;
        cin >> x;
        here = max(x, here + x);
        best = max(best, here);
    }
    cout << best << "\n";
}
