// Kadane's algorithm in int: right while sums stay below 2^31, wrong beyond.
#include <bits/stdc++.h>
using namespace std;
int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    int n;
    cin >> n;
    int best = INT_MIN, here = 0;
    for (int i = 0; i < n; i++) {
        int x;
        cin >> x;
        here = max(x, here + x);
        best = max(best, here);
    }
    cout << best << "\n";
}
