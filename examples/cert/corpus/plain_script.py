"""No pandas here: the corpus builder leaves this file out."""

import math

print(sum(math.sqrt(i) for i in range(10)))
