// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// JSON forms of an unload plan and the helper's result: what `kmodrescue-cli unload --json`
// prints, and what a bundle's unload/plan.json records (docs/json-schema.md).

#include "diagnosis/unloadplan.h"

#include <QJsonObject>

namespace kmr {

QJsonObject toJson(const UnloadPlan &plan);
QJsonObject toJson(const UnloadResult &result);

// One unload that ran: its plan, and the helper's result or why it failed (failure empty when
// the helper answered). The bundle's record; `unload --json` prints the same keys.
QJsonObject unloadRecordJson(const UnloadPlan &plan, const UnloadResult *result, const QString &failure = {});

// The unload/plan.json member: {"schema": "kmodrescue.unload-records", "records": [...]}.
QJsonObject unloadRecordsJson(const QList<QJsonObject> &records);
// Accepts that member, or one record (what `unload --json` printed); false with *why otherwise.
bool unloadRecordsFromJson(const QJsonObject &o, QList<QJsonObject> *records, QString *why);

// A record in words, for a bundle's views: the module, then the plan's steps, the outcome of
// each step, and the kernel log lines it caused.
QString unloadRecordModule(const QJsonObject &record);
QStringList describeUnloadRecord(const QJsonObject &record);

} // namespace kmr
