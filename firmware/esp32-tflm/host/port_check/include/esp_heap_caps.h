#pragma once
#include "idf_decls.h"
