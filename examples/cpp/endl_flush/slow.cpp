// Print the squares of 1..n modulo 1e9+7, flushing after every line with endl.
#include <bits/stdc++.h>
using namespace std;
int main() {
    int n;
    cin >> n;
    for (long long i = 1; i <= n; i++) cout << i * i % 1000000007 << endl;
}
