// SPDX-License-Identifier: GPL-2.0-or-later
// The helper's resolved trace lines of kmr_refleak in the lab (6.12.117: 3 references leaked,
// 2 taken and put back), for the tests of the Refcount tab, the leak table and bundles.
#pragma once

#include <QStringList>

namespace kmr::testdata {

inline const QStringList kLabTrace612 = {
    QStringLiteral("sh-175 [000] ..... 18.322083: module_get: kmr_refleak call_site=kmr_refleak_set_leak+0x5d/0xa0 "
                   "[kmr_refleak] refcnt=2"),
    QStringLiteral("sh-175 [000] ..... 18.322810: module_get: kmr_refleak call_site=kmr_refleak_set_leak+0x5d/0xa0 "
                   "[kmr_refleak] refcnt=3"),
    QStringLiteral("sh-175 [000] ..... 18.322827: module_get: kmr_refleak call_site=kmr_refleak_set_leak+0x5d/0xa0 "
                   "[kmr_refleak] refcnt=4"),
    QStringLiteral("sh-175 [000] ..... 18.326280: module_get: kmr_refleak call_site=kmr_refleak_balanced+0x11/0x30 "
                   "[kmr_refleak] refcnt=5"),
    QStringLiteral("sh-175 [000] ..... 18.326337: module_put: kmr_refleak "
                   "call_site=kmr_refleak_set_balanced+0x50/0x90 [kmr_refleak] refcnt=4"),
    QStringLiteral("sh-175 [000] ..... 18.326353: module_get: kmr_refleak call_site=kmr_refleak_balanced+0x11/0x30 "
                   "[kmr_refleak] refcnt=5"),
    QStringLiteral("sh-175 [000] ..... 18.326356: module_put: kmr_refleak "
                   "call_site=kmr_refleak_set_balanced+0x50/0x90 [kmr_refleak] refcnt=4"),
};

} // namespace kmr::testdata
