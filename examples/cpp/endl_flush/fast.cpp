// Print the squares of 1..n modulo 1e9+7 with '\n' and one buffered write at the end.
#include <bits/stdc++.h>
using namespace std;
int main() {
    ios::sync_with_stdio(false);
    int n;
    cin >> n;
    string out;
    out.reserve(12 * n);
    for (long long i = 1; i <= n; i++) {
        out += to_string(i * i % 1000000007);
        out += '\n';
    }
    cout << out;
}
