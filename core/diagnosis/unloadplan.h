// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// The unload plan: what Force Unload will do, step by step, each step with its risk, shown to the
// user before anything happens. The GUI, the CLI and the helper compute it with the same function:
// the client to show it and to build the request, the helper again from its own live reading, so a
// client cannot talk it into a step the plan would not take.
//
// The ladder, tried in this order until the module is gone:
//   1. the holders the user ticked, deepest first (plain rmmod each);
//   2. plain rmmod of the module;
//   3. the kernel's forced unload (delete_module with O_TRUNC), where the kernel has it
//      (CONFIG_MODULE_FORCE_UNLOAD) and it addresses the cause (a leaked reference, no exit);
//   4. kmodrescue_fixer with the chosen repairs (refcount, state Live, stub exit), then rmmod.

#include "diagnosis/diagnosis.h"
#include "helperclient/helpertypes.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace kmr {

enum class StepRisk { Low, Medium, High };
QString toString(StepRisk r); // "low", "medium", "high"

struct UnloadRequest {
    QString module;
    QStringList holders; // ticked holders to unload first
    quint32 steps = StepPlainRmmod; // bits of UnloadStep
    bool overrideRealUse = false;
};

struct PlannedStep {
    UnloadStep kind = StepPlainRmmod; // the fixer is one step; kind = the first of its repair bits
    QString module; // the module this step acts on
    QStringList fixerRepairs; // "refcount", "state", "exit" (fixer step only)
    StepRisk risk = StepRisk::Low;
    QString action; // what happens, in words
    QString riskText; // what can go wrong
    bool taints = false; // the kernel will be tainted (R: forced module removal)
};

struct UnloadPlan {
    QString module;
    QList<PlannedStep> steps;
    bool refused = false;
    QString refusal; // why nothing will be done
    QString howToGoOn; // what the user can do about it
    QStringList notes; // what was found and left out ("the kernel has no forced unload", users found)
    bool realUse = false; // users were found
    QList<ModuleUser> users; // who
    QStringList availableHolders; // holders that could be ticked, in unload order

    bool taintsKernel() const;
    quint32 stepMask() const; // the request bits that survive in the plan
    QStringList describe() const; // numbered lines for the CLI and logs
};

// What the dialog ticks by default for this diagnosis: plain rmmod, and the rungs the diagnosis'
// blocking findings point at. Holders are never ticked by default: the user chooses them.
// For a module whose init crashed the fixer's stub exit is ticked (its real exit would tear down
// what init never built).
UnloadRequest defaultUnloadRequest(const Diagnosis &diagnosis, const KernelFacts &kernel);

UnloadPlan planUnload(const Diagnosis &diagnosis, const KernelFacts &kernel, const UnloadRequest &request);

// "refcount,state,exit" for the fixer's repairs= parameter, from request bits.
QStringList fixerRepairs(quint32 steps);

} // namespace kmr
