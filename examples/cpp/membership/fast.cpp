// For each query, say whether it occurs in the list, by binary search in the sorted list.
#include <bits/stdc++.h>
using namespace std;
int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    int n, q;
    cin >> n >> q;
    vector<int> a(n);
    for (auto& x : a) cin >> x;
    sort(a.begin(), a.end());
    int found = 0;
    while (q--) {
        int x;
        cin >> x;
        if (binary_search(a.begin(), a.end(), x)) found++;
    }
    cout << found << "\n";
}
