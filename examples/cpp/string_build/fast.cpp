// Build the string of n letters by appending in place, then print its length and a checksum.
#include <bits/stdc++.h>
using namespace std;
int main() {
    int n;
    cin >> n;
    string s;
    s.reserve(n);
    for (int i = 0; i < n; i++) s += char('a' + (i * 7) % 26);
    unsigned long long h = 0;
    for (char c : s) h = h * 131 + c;
    cout << s.size() << " " << h << "\n";
}
