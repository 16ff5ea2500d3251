// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// The JSON forms of a refcount recording, as a bundle carries them (refcount/history.json,
// refcount/trace.json; docs/json-schema.md):
//   kmodrescue.refcount-history  every change of the chosen modules' refcounts while they were sampled
//   kmodrescue.refcount-trace    the traced module_get/module_put events with their call sites,
//                                and the leak table computed from them

#include "refcount/refcounthistory.h"
#include "refcount/traceevent.h"

#include <QJsonObject>
#include <QStringList>

#include <memory>

namespace kmr {

constexpr int RefcountJsonSchemaVersion = 1;

// A history as recorded: the points of each module and when the recording ended (the right
// edge of its chart), on the trace clock (CLOCK_MONOTONIC milliseconds, since boot).
struct RecordedRefcountHistory {
    std::shared_ptr<RefcountHistory> history = std::make_shared<RefcountHistory>();
    qint64 endMs = 0;
    double rateHz = 0; // sampling rate, 0 when unknown
};

struct RecordedTrace {
    QString module; // the traced module
    QList<TraceEvent> events; // in the order they happened
};

// The points of `modules` (those the history has; all of them when empty).
QJsonObject refcountHistoryToJson(
    const RefcountHistory &history, const QStringList &modules, qint64 endMs, double rateHz);
// Parses what refcountHistoryToJson wrote; false with *why (what is wrong, where).
bool refcountHistoryFromJson(const QJsonObject &o, RecordedRefcountHistory *out, QString *why);

QJsonObject traceToJson(const RecordedTrace &trace);
bool traceFromJson(const QJsonObject &o, RecordedTrace *out, QString *why);

// Both from a member's bytes: false with *why when it is not the JSON above.
bool refcountHistoryFromBytes(const QByteArray &data, RecordedRefcountHistory *out, QString *why);
bool traceFromBytes(const QByteArray &data, RecordedTrace *out, QString *why);

} // namespace kmr
