// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

namespace kmr {

class MainWindow;
class DiagnosisTab;
class DependencyTab;

struct DiagnosisTabs {
    DiagnosisTab *diagnosis = nullptr;
    DependencyTab *dependencies = nullptr;
};

// Adds the Diagnosis and Dependencies tabs to the main window and wires them: they follow the
// selected module and the snapshot, and a click on a graph node selects that module everywhere.
DiagnosisTabs installDiagnosisTabs(MainWindow *window);

} // namespace kmr
