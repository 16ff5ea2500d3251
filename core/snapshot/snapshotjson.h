// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include "snapshot/moduleinfo.h"

#include <QJsonObject>

namespace kmr {

// JSON form of snapshots, documented in docs/json-schema.md. Bump when a field changes meaning.
constexpr int SnapshotSchemaVersion = 1;

QJsonObject toJson(const Fact &f);
QJsonObject toJson(const ModuleInfo &m);
QJsonObject toJson(const KernelFacts &k);
QJsonObject toJson(const Snapshot &s);

// Parsing returns false and sets *error for unknown schema versions or wrong types.
bool fromJson(const QJsonObject &o, Snapshot *out, QString *error);
bool fromJson(const QJsonObject &o, ModuleInfo *out, QString *error);

} // namespace kmr
