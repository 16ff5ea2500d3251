// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <QSet>
#include <QString>

namespace kmr {

// Whether a module name from an untrusted caller may be acted on. A pure function: the caller
// reads the loaded and built-in module sets itself, and only after the syntax has been accepted
// (checkModuleNameSyntax), so a bad name never reaches a path or the file system.
//
// The rules, each with the error the helper replies with:
//  - [A-Za-z0-9_-] only                          InvalidName  "module name may only contain A-Z a-z 0-9 _ -"
//  - not empty, at most 55 bytes                 InvalidName
//  - not the fixer itself (kmodrescue_fixer)     InvalidName
//  - not built into the kernel                   BuiltIn
//  - loaded                                      NotLoaded
// '-' and '_' are equal: the canonical form uses '_' (as /proc/modules does).
struct ModuleNameCheck {
    enum class Verdict { Ok, InvalidName, BuiltIn, NotLoaded };
    Verdict verdict = Verdict::InvalidName;
    QString canonical; // the '_' form when the syntax is valid, else empty
    QString message; // names the rule; empty when Ok

    bool ok() const { return verdict == Verdict::Ok; }
};

constexpr int MaxModuleNameBytes = 55; // MODULE_NAME_LEN (64 - sizeof(unsigned long)) - 1
inline constexpr const char FixerModuleName[] = "kmodrescue_fixer";

// Syntax only: no state, no file system. verdict is Ok or InvalidName.
ModuleNameCheck checkModuleNameSyntax(const QString &name);

// Syntax, then built-in, then loaded. `loaded` and `builtIn` hold canonical ('_') names.
// `moduleSupport` false (no /proc/modules) makes every valid name NotLoaded, saying why.
ModuleNameCheck checkModuleName(
    const QString &name, const QSet<QString> &loaded, const QSet<QString> &builtIn, bool moduleSupport = true);

} // namespace kmr
