// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// "Why won't it unload?": the diagnosis of one loaded module, as plain values.
//
// A Diagnosis is a list of Findings. Each Finding says one thing in a plain sentence, shows the
// evidence it rests on (what was read and where from), and says what to do about it, naming the
// unload-plan steps (RemedyStep) that address it. core/diagnosis/unloadplan.* builds the plan
// from a Diagnosis; the GUI's Diagnosis tab and `kmodrescue-cli diagnose` show it; the bundle
// stores its JSON form (diagnosisjson.h, documented in docs/json-schema.md).

#include "snapshot/moduleinfo.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

namespace kmr {

enum class FindingKind {
    HeldByModules, // other modules hold it: unload them first (unloadOrder)
    InitCrashed, // state Loading (coming) and an oops implicates its init
    StuckLoading, // state Loading with no crash found (init still running, or the log is gone)
    ExitCrashed, // state Unloading (going) and an oops implicates its exit
    ExitStillRunning, // state Unloading and an rmmod process waits in D state
    StuckUnloading, // state Unloading with neither of the above found
    NoExitFunction, // the .ko has an init and no exit (cleanup_module): the kernel says "busy"
    LeakedReference, // refcount > 0, no holders, no user found: a reference taken and never put
    RealUse, // refcount > 0 and users found: open devices, mounts, network interfaces
    CompilerMismatch, // the .ko's .comment names another compiler (family or version) than the kernel's
    VermagicMismatch, // the .ko's vermagic release is not the running kernel's release
    ForcedUnload, // whether the kernel's forced unload (CONFIG_MODULE_FORCE_UNLOAD) is available
    RepairBlocked, // modules_disabled, lockdown or signature enforcement stand in the way of the fixer
    Unloadable, // Live, refcount 0, no holders: plain rmmod should work
    NotLoaded, // no such module in the snapshot
};
QString toString(FindingKind k); // stable id used in JSON: "held-by-modules", ...
bool findingKindFromString(const QString &s, FindingKind *out);

enum class Severity {
    Info, // context, nothing blocks the unload
    Warning, // worth knowing, may explain odd behaviour
    Blocker, // this keeps the module from unloading
};
QString toString(Severity s);
bool severityFromString(const QString &s, Severity *out);

// The unload-plan steps a remedy points at (the ladder of issue 4). UnloadPlan maps them to its
// own steps; Manual steps are things only the user can do (close files, rebuild).
enum class RemedyStep {
    Rmmod, // plain delete_module
    UnloadHolders, // unload the holders first, in Finding::unloadOrder
    ForcedUnload, // delete_module with O_TRUNC (needs CONFIG_MODULE_FORCE_UNLOAD)
    FixerResetRefcount, // kmodrescue_fixer: reset the refcount to unused
    FixerSetLive, // kmodrescue_fixer: set the state Live
    FixerStubExit, // kmodrescue_fixer: replace a missing or crashing exit with a stub
    StopUsers, // manual: close the files, unmount, bring interfaces down
    Rebuild, // manual: rebuild the module with the kernel's own compiler / headers
    Wait, // manual: an exit is still running; nothing safe can be done
};
QString toString(RemedyStep s);
bool remedyStepFromString(const QString &s, RemedyStep *out);

// One piece of evidence: what was read, where from.
struct Evidence {
    enum class Kind {
        File, // a file was read: source = path, value = what it said
        Oops, // a kernel log excerpt: oopsId and value = its title
        Process, // a process: pid, value = "rmmod kmr_hang (state D)"
        Note, // anything else said in words (source may be empty)
    };
    Kind kind = Kind::Note;
    QString label; // what it is: "refcount", "holders", "kernel compiler"
    QString source; // where from: "/sys/module/kmr_victim/refcnt", "/proc/1234/fd/3"
    QString value; // what it said: "1"
    QString oopsId; // Kind::Oops: OopsCitation::id
    qint64 pid = -1; // Kind::Process
    bool needsHelper = false; // could not be read without root (e.g. /proc/PID/stack): the helper can
    QStringList detail; // longer text shown when expanded: a kernel stack, an oops excerpt's lines

    bool operator==(const Evidence &o) const;
};

struct Finding {
    FindingKind kind = FindingKind::Unloadable;
    Severity severity = Severity::Info;
    QString sentence; // "kmr_victim is held by kmr_user, which uses it."
    QList<Evidence> evidence;
    QString remedy; // "Unload kmr_user first, then kmr_victim."
    QList<RemedyStep> steps; // plan steps that address it, in order; empty when none applies
    QStringList unloadOrder; // HeldByModules: every transitive holder, deepest holder first

    bool operator==(const Finding &o) const;
};

// An oops excerpt from the kernel log, as the diagnosis needs it. Filled from core/kernellog's
// OopsExtractor (or from a bundle, or by a test) so the diagnosis does not depend on the parser.
struct OopsCitation {
    QString id; // stable id of the excerpt, e.g. "oops-3" or the first record's seq
    QString title; // "BUG: kernel NULL pointer dereference in kmr_oops_init"
    QString faultingFunction; // "kmr_oops_init"
    QString faultingModule; // "kmr_oops" ('_' form), empty when in the core kernel
    QStringList implicatedModules; // every module the excerpt implicates ('_' form)
    QStringList callTrace; // frames as printed, for "init"/"exit" recognition and display
    QStringList lines; // the excerpt's text
    double timestamp = -1; // seconds since boot of the first line, -1 when unknown
};

// A call site that took references on the module and did not give them back, from the refcount
// tracer's leak table (core/refcount; referencetakers.h turns a trace into these). Optional:
// without it a leak is found, but not who took it.
struct ReferenceTaker {
    QString module; // the module whose code took the reference ('_' form), "" when unknown
    QString callSite; // "kmr_leak_take+0x1c [kmr_leaker]"
    int imbalance = 0; // references taken here still held when the trace ended (LeakRow::held)
    bool operator==(const ReferenceTaker &o) const = default;
};

// Someone really using a module: shown as evidence and used by the plan to refuse.
struct ModuleUser {
    enum class Kind { DeviceNode, Mount, NetworkInterface };
    Kind kind = Kind::DeviceNode;
    QString what; // "/dev/kmr_busy (char 240:0)", "/mnt/x (kmrfs)", "eth0 (up)"
    QString source; // where it was found: "/proc/1234/fd/3", "/proc/self/mounts", "/sys/class/net/eth0"
    qint64 pid = -1; // the holding process, -1 for mounts and interfaces
    QString command; // the holding process's command line, "" when none
    bool operator==(const ModuleUser &o) const;
};

struct Diagnosis {
    QString module; // as asked, '_' form
    bool loaded = false;
    ModuleState state = ModuleState::Unknown;
    int refcount = -1;
    QList<Finding> findings; // blockers first, then warnings, then info
    QList<ModuleUser> users; // real users found (empty when none or not scanned)
    bool usersScanned = false; // false when the system could not be scanned (a bundle, no /proc)
    QStringList warnings; // what could not be read, in words

    bool stuck() const; // any Blocker finding
    bool has(FindingKind k) const;
    const Finding *find(FindingKind k) const;
    bool operator==(const Diagnosis &o) const;
};

// Reads the evidence beyond the snapshot (processes, device nodes, mounts, network interfaces,
// rmmod processes) under `root`, like SnapshotReader, and diagnoses modules.
//
// The system scan is done once, lazily, and shared by every diagnose() call of one Diagnoser;
// make a new Diagnoser for fresh evidence. Nothing here needs root: what only root can read is
// marked Evidence::needsHelper.
class SystemScan;
class Diagnoser
{
public:
    struct Options {
        QString root = QStringLiteral("/");
        bool scanSystem = true; // false for bundles and snapshots from another machine
    };

    explicit Diagnoser(const Snapshot &snapshot);
    Diagnoser(const Snapshot &snapshot, Options options);
    ~Diagnoser();
    Diagnoser(const Diagnoser &) = delete;
    Diagnoser &operator=(const Diagnoser &) = delete;

    void setOopses(const QList<OopsCitation> &oopses);
    // Leak-table rows per target module ('_' form): a LeakedReference finding of that module
    // names the call sites still holding references.
    void setReferenceTakers(const QString &module, const QList<ReferenceTaker> &takers);
    void setReferenceTakers(const QHash<QString, QList<ReferenceTaker>> &takersByModule);

    Diagnosis diagnose(const QString &module) const;
    QList<Diagnosis> diagnoseAll() const;

private:
    const SystemScan &scan() const;

    Snapshot m_snapshot;
    Options m_options;
    QList<OopsCitation> m_oopses;
    QHash<QString, QList<ReferenceTaker>> m_takers;
    mutable SystemScan *m_scan = nullptr;
};

// Every transitive holder of `module`, ordered so each one comes before whatever it holds:
// the order in which to unload them (deepest holder first). Cycles are broken and reported in
// *warning. Exposed for the unload plan and the graph.
QStringList holderUnloadOrder(const Snapshot &snapshot, const QString &module, QString *warning = nullptr);

} // namespace kmr
