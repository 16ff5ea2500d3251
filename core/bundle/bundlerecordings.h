// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// What was recorded in this session besides the snapshot, put into a bundle's contents: the
// refcount history (refcount/history.json), a get/put trace with its call sites
// (refcount/trace.json), and the unload plans that ran with their result logs (unload/plan.json).
// The GUI takes them from its Refcount tab and Force Unload dialog; the CLI from --watch,
// --trace-file and --unload-log.

#include "bundle/bundlecontents.h"
#include "refcount/refcountjson.h"

#include <QHash>

namespace kmr::bundle {

// The modules whose recordings a bundle keeps: the chosen ones and their holders.
QStringList recordedModules(const BundleContents &c);

// Sets refcount/history.json from `history` (the recordedModules() that it has). False, leaving
// the part absent with a reason, when it holds none of them.
bool attachRefcountHistory(BundleContents *c, const RefcountHistory &history, qint64 endMs, double rateHz);
// Sets refcount/trace.json; false (part left absent, with a reason) when there are no events.
bool attachTrace(BundleContents *c, const RecordedTrace &trace);
// Sets unload/plan.json from records (unloadRecordJson()); false when there are none.
bool attachUnloadRecords(BundleContents *c, const QList<QJsonObject> &records);

// Parses the recordings of an opened bundle. Absent parts give empty results and true.
bool recordedHistory(const BundleContents &c, RecordedRefcountHistory *out, QString *why);
bool recordedTrace(const BundleContents &c, RecordedTrace *out, QString *why);
// The unload records of an opened bundle, by module, each in words (describeUnloadRecord()).
QHash<QString, QStringList> recordedUnloads(const BundleContents &c);

} // namespace kmr::bundle
