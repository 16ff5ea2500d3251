// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include "bundle/bundlearchive.h"

namespace kmr::test {

// A ReadLimits::cancelled that counts how often the reader asks it, and says stop from the
// `stopAt`th question on (0: never). The probe must outlive the read.
struct CancelProbe {
    int asked = 0;

    bundle::ReadLimits limits(int stopAt)
    {
        asked = 0;
        bundle::ReadLimits l;
        l.cancelled = [this, stopAt] { return ++asked >= stopAt && stopAt > 0; };
        return l;
    }
};

} // namespace kmr::test
