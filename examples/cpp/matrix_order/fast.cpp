// Multiply two n x n matrices with the i-k-j loop order over flat arrays (row walks only).
#include <bits/stdc++.h>
using namespace std;
int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    int n;
    cin >> n;
    vector<long long> a(n * n), b(n * n), c(n * n, 0);
    for (auto& x : a) cin >> x;
    for (auto& x : b) cin >> x;
    for (int i = 0; i < n; i++)
        for (int k = 0; k < n; k++) {
            long long aik = a[i * n + k];
            for (int j = 0; j < n; j++) c[i * n + j] += aik * b[k * n + j];
        }
    long long trace = 0, total = 0;
    for (int i = 0; i < n; i++) {
        trace += c[i * n + i];
        for (int j = 0; j < n; j++) total ^= c[i * n + j] * (i + 1) + j;
    }
    cout << trace << " " << total << "\n";
}
