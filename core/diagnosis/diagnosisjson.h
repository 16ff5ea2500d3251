// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include "diagnosis/diagnosis.h"

#include <QJsonObject>

namespace kmr {

// JSON form of a diagnosis, documented in docs/json-schema.md ("Diagnosis"). Bump when a field
// changes meaning.
constexpr int DiagnosisSchemaVersion = 1;

QJsonObject toJson(const Evidence &e);
QJsonObject toJson(const Finding &f);
QJsonObject toJson(const ModuleUser &u);
QJsonObject toJson(const Diagnosis &d); // carries "schema": "kmodrescue-diagnosis", "version": 1

// Parsing returns false and sets *error (what is wrong, where) for unknown versions or wrong types.
bool fromJson(const QJsonObject &o, Diagnosis *out, QString *error);

} // namespace kmr
