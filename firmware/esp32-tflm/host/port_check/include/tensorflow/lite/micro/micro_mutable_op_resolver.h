#pragma once
#include "../../../tflm_decls.h"
