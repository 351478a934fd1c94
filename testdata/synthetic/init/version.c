#include "../synthetic.h"

const char __used linux_banner[] =
    "Linux version 6.1.0-synthetic (ksym@testdata) #1 SMP\n";
