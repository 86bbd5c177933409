// Count distinct values, keeping a list of the ones seen and searching it each time.
#include <bits/stdc++.h>
using namespace std;
int main() {
    int n;
    cin >> n;
    vector<long long> distinct;
    for (int i = 0; i < n; i++) {
        long long x;
        cin >> x;
        bool seen = false;
        for (long long y : distinct)
            if (y == x) { seen = true; break; }
        if (!seen) distinct.push_back(x);
    }
    cout << distinct.size() << "\n";
}
