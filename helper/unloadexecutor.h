// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include "diagnosis/unloadplan.h"
#include "fixerlocator.h"
#include "helperclient/helpertypes.h"

namespace kmr {

// Carries out an unload request on the live kernel, in the helper's worker thread. It computes the
// plan itself (planUnload on its own snapshot and diagnosis) and walks it until the module is gone.
// Modules are unloaded with delete_module(2) and the fixer loaded with finit_module(2): no shell.
class UnloadExecutor
{
public:
    struct Outcome {
        QString errorName; // empty on success (even when the module is still there: see result.gone)
        QString errorMessage;
        UnloadResult result;
    };

    explicit UnloadExecutor(FixerLocator::Options fixer)
        : m_fixer(std::move(fixer))
    { }

    Outcome run(const UnloadRequest &request) const;

private:
    UnloadStepResult rmmod(const QString &module, bool force, const QString &stepName) const;
    UnloadStepResult runFixer(const PlannedStep &step) const;
    FixerLocator::Options m_fixer;
};

// The key=value fields of the fixer's one result line, or empty when `line` is not one.
QHash<QString, QString> parseFixerResult(const QString &line);

} // namespace kmr
