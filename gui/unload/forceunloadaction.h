// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

class QAction;

namespace kmr {

class MainWindow;

// Adds "Force Unload…" for the selected module to the window's toolbar and Module menu. It
// diagnoses the module off the GUI thread, opens the UnloadDialog, and refreshes the window when the
// helper answered.
QAction *installForceUnload(MainWindow *window);

} // namespace kmr
