// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

namespace kmr {

class MainWindow;
class KernelLogTab;

// Adds the Kernel Log tab to the main window and wires it: the selected module's newest crash
// report is shown with its frames highlighted, the module table badges every module a report
// implicates, and a refused read goes through the helper's ReadKernelLog (polkit action
// read-kernel-log). On the live system ("/" root) the log is read at once.
KernelLogTab *installKernelLogTab(MainWindow *window);

} // namespace kmr
