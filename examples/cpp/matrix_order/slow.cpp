// Multiply two n x n matrices with the i-j-k loop order (column walks miss the cache).
#include <bits/stdc++.h>
using namespace std;
int main() {
    int n;
    cin >> n;
    vector<vector<long long>> a(n, vector<long long>(n)), b = a, c(n, vector<long long>(n, 0));
    for (auto& row : a) for (auto& x : row) cin >> x;
    for (auto& row : b) for (auto& x : row) cin >> x;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            for (int k = 0; k < n; k++) c[i][j] += a[i][k] * b[k][j];
    long long trace = 0, total = 0;
    for (int i = 0; i < n; i++) {
        trace += c[i][i];
        for (int j = 0; j < n; j++) total ^= c[i][j] * (i + 1) + j;
    }
    cout << trace << " " << total << "\n";
}
