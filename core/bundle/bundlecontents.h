// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// What a diagnostic bundle holds, as values, and its members:
//   manifest.json          schema, versions, creation time, kernel release, parts, sha256 of each member
//   snapshot.json          the full module snapshot and the kernel-wide facts (snapshotjson.h)
//   diagnosis/NAME.json    the diagnosis of each chosen module (diagnosisjson.h)
//   graph.dot, graph.svg   the dependency graph, the chosen modules' stuck paths marked
//   kernel-log.jsonl       the kernel log, one record per line (kernellogjson.h)
//   kernel-log.txt         the same as dmesg prints it
//   oops.json              the crash excerpts found in it
//   kernel-config.txt      the relevant kernel config lines (CONFIG_MODULE*, CC_VERSION_TEXT, lockdown)
//   modules/NAME.json      for the involved .ko files: modinfo (vermagic, srcversion, signer) and the
//                          .comment compiler
//   refcount/history.json, refcount/trace.json, unload/plan.json
//                          when such data exists; otherwise the manifest says "absent" and why.

#include "bundle/bundlearchive.h"
#include "diagnosis/diagnosis.h"
#include "kernellog/kernellogrecord.h"
#include "kernellog/oopsexcerpt.h"
#include "refcount/refcountjson.h"
#include "snapshot/moduleinfo.h"

#include <QJsonObject>
#include <QMap>

namespace kmr::bundle {

struct BundleContents {
    Snapshot snapshot;
    QStringList chosenModules; // '_' form
    QList<Diagnosis> diagnoses;
    QString graphDot;
    QByteArray graphSvg;
    bool hasKernelLog = false;
    kernellog::KernelLog kernelLog;
    QList<kernellog::OopsExcerpt> oopses;
    QString kernelConfig; // the relevant lines, "" when no config was found
    QList<ModuleInfo> involvedModules; // the chosen modules and their transitive holders
    // Recordings of this session (bundlerecordings.h sets and parses them):
    QByteArray refcountHistoryJson; // kmodrescue.refcount-history (refcount/refcountjson.h), when sampled
    QByteArray refcountTraceJson; // kmodrescue.refcount-trace: get/put events with call sites, when traced
    QByteArray unloadPlanJson; // kmodrescue.unload-records: unload plans and their result logs, when one ran
    QMap<QString, QString> absentWhy; // part -> why it is absent ("kernel-log": "permission denied")
    QJsonObject manifest; // filled when opened from a file
    QStringList warnings; // what could not be collected

    const Diagnosis *diagnosis(const QString &module) const;
};

struct CollectOptions {
    QString root = QStringLiteral("/"); // the live system, or a fixture tree
    QStringList modules; // chosen modules; empty: every stuck or out-of-tree module
    QString kernelLogFile; // a saved log (dmesg text or a /dev/kmsg capture) instead of ROOT/dev/kmsg
    // A get/put trace of this session: the recorded diagnosis of its module names the call sites
    // still holding references (referencetakers.h). The caller attaches it (attachTrace()).
    RecordedTrace trace;
};

// Reads everything a bundle holds from the system (or a fixture root). Unknown module names
// are reported in *unknown (when given) and left out.
BundleContents collectBundleContents(const CollectOptions &options, QStringList *unknown = nullptr);

// From c->snapshot and c->oopses: the diagnoses of `modules` (empty: every stuck or out-of-tree
// module), the involved modules (them and their holders) and the dependency graph as DOT. An
// empty `scanRoot` diagnoses without scanning a system (evidence from another machine). A
// `trace` names who took the references its module still holds.
void deriveDiagnoses(BundleContents *c, const QStringList &modules, const QString &scanRoot, QStringList *unknown,
    const RecordedTrace &trace = {});

// The kernel config lines a bundle keeps: CONFIG_MODULE*, MODVERSIONS, CC_VERSION_TEXT, lockdown.
QString relevantConfigLines(const QByteArray &config);

// The members and the manifest's "parts" object ({"kernel-log": {"status": "present"}, ...}).
QList<BundleMember> bundleMembers(const BundleContents &contents, QJsonObject *parts);

// The manifest keys besides members: parts, kernel release, source, redaction.
QJsonObject manifestExtra(const BundleContents &contents, const QJsonObject &parts, bool redacted);

// Opens a bundle (bundlearchive.h's safe reader) and parses its members; or, when FILE is a
// sosreport (sostree.h: a tarball sos wrote or its unpacked directory), imports that instead
// (sosreport.h). Either way nothing is extracted to disk.
bool openBundle(
    const QString &file, BundleContents *out, BundleError *error, QString *message, const ReadLimits &limits = {});
// The same from bytes in memory (the sample embedded as a resource); `name` is what messages and
// the snapshot's source ("bundle:NAME") call it.
bool openBundleData(const QByteArray &data, const QString &name, BundleContents *out, BundleError *error,
    QString *message, const ReadLimits &limits = {});

} // namespace kmr::bundle
