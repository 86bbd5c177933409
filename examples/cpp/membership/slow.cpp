// For each query, say whether it occurs in the list, by linear search.
#include <bits/stdc++.h>
using namespace std;
int main() {
    int n, q;
    cin >> n >> q;
    vector<int> a(n);
    for (auto& x : a) cin >> x;
    int found = 0;
    while (q--) {
        int x;
        cin >> x;
        if (find(a.begin(), a.end(), x) != a.end()) found++;
    }
    cout << found << "\n";
}
