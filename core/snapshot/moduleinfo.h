// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <QList>
#include <QString>
#include <QStringList>

namespace kmr {

// A value read from the system that may be unavailable. When it is, `why` says why in words
// a user can act on ("/sys/module/foo/taint: Permission denied", "no .ko file: built in").
struct Fact {
    QString value;
    QString why; // empty when the value is known

    bool known() const { return why.isEmpty(); }
    static Fact of(const QString &v) { return Fact {v, {}}; }
    static Fact unknown(const QString &reason)
    {
        return Fact {{}, reason.isEmpty() ? QStringLiteral("unknown") : reason};
    }
    // What a table cell or the CLI shows.
    QString display() const { return known() ? value : QStringLiteral("unknown (") + why + QLatin1Char(')'); }
    bool operator==(const Fact &o) const { return value == o.value && why == o.why; }
};

// Note for tests: QCOMPARE on these enums does not compile (ADL finds the QString toString below
// where QTest wants char*): compare toString(a) with toString(b) instead.
enum class ModuleState { Live, Loading, Unloading, Unknown };
QString toString(ModuleState s);
ModuleState moduleStateFromString(const QString &s); // accepts "live", "Live", "coming", "going", ...

// Whether the module's .ko defines an exit function (module_exit): from its symbol table.
enum class ExitPresence { Present, Missing, Unknown };
QString toString(ExitPresence e);

// One loaded module, as seen at the moment of the snapshot.
struct ModuleInfo {
    QString name; // as in /proc/modules, '_' form
    qint64 size = -1; // bytes, -1 when unknown
    int refcount = -1; // what lsmod shows; -1 when unknown
    ModuleState state = ModuleState::Unknown;
    QStringList holders; // modules that use this one (/sys/module/NAME/holders)
    QStringList dependencies; // modules this one uses (the "used by" lists of others, and modinfo depends)
    QString taint; // the module's own taint letters (/sys/module/NAME/taint), "" when none
    quint64 address = 0; // load address from /proc/modules, 0 when hidden (kptr_restrict)
    Fact koPath; // the .ko that was loaded, resolved through modules.dep
    Fact vermagic;
    Fact srcversion;
    Fact signer; // "" (known, empty) when unsigned
    Fact compiler; // from the .ko's .comment section, e.g. "GCC: (Debian 12.2.0-14) 12.2.0"
    ExitPresence exit = ExitPresence::Unknown;
    QString exitWhy; // why exit is Unknown
    bool outOfTree = false; // taint contains O
    QStringList warnings; // anything odd met while reading this module

    bool operator==(const ModuleInfo &o) const;
};

// Facts about the running kernel that decide what can be done.
struct KernelFacts {
    Fact release; // /proc/sys/kernel/osrelease
    Fact version; // the whole /proc/version line
    Fact compiler; // the compiler named in /proc/version, e.g. "gcc-12 (Debian 12.2.0-14) 12.2.0"
    Fact ccVersionText; // CONFIG_CC_VERSION_TEXT from the kernel config, when found
    quint64 taintMask = 0;
    bool taintKnown = false;
    QString taintLetters; // decoded, e.g. "POE"; "" when untainted
    Fact modulesDisabled; // "0" or "1"
    Fact lockdown; // "none", "integrity", "confidentiality"
    Fact sigEnforce; // "Y" or "N"
    Fact forceUnload; // "y", "n" (CONFIG_MODULE_FORCE_UNLOAD) or unknown
    Fact configSource; // where the config was read from
    bool moduleSupport = true; // false when /proc/modules does not exist

    bool operator==(const KernelFacts &o) const;
};

struct Snapshot {
    qint64 takenMsecsSinceEpoch = 0;
    QString source; // "live", "fixture:<dir>", "bundle:<file>", "sosreport:<path>"
    KernelFacts kernel;
    QList<ModuleInfo> modules; // sorted by name
    QStringList warnings; // snapshot-wide problems (malformed lines, vanished modules, ...)

    const ModuleInfo *find(const QString &name) const; // '-' and '_' are equal
    bool operator==(const Snapshot &o) const;
};

// Module names compare with '-' and '_' equal; this gives the canonical ('_') form.
QString canonicalModuleName(const QString &name);

} // namespace kmr
