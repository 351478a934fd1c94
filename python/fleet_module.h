// The fleet classes of `ksym._ksym`: HostLayout, Store, FleetSymbolizer.
#ifndef KSYM_PYTHON_FLEET_MODULE_H_
#define KSYM_PYTHON_FLEET_MODULE_H_

#include <pybind11/pybind11.h>

namespace ksym {

void BindFleet(pybind11::module_& m);

}  // namespace ksym

#endif  // KSYM_PYTHON_FLEET_MODULE_H_
