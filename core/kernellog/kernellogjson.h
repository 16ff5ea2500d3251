// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include "kernellog/kernellogrecord.h"
#include "kernellog/oopsexcerpt.h"

#include <QJsonArray>
#include <QJsonObject>

namespace kmr::kernellog {

// JSON forms used by the CLI (--json) and the bundle (records as JSON lines, excerpts).
QJsonObject toJson(const KernelLogRecord &r);
KernelLogRecord recordFromJson(const QJsonObject &o);
QJsonObject toJson(const OopsExcerpt &e);
OopsExcerpt excerptFromJson(const QJsonObject &o);
QJsonArray toJson(const QList<OopsExcerpt> &excerpts);

} // namespace kmr::kernellog
