// SPDX-License-Identifier: GPL-2.0-or-later
#include "refcount/tracefile.h"

#include <QFile>

namespace kmr {

bool readTraceFile(const QString &file, RecordedTrace *out, QString *why)
{
    *out = {};
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly)) {
        *why = QStringLiteral("cannot read the trace ") + file + QStringLiteral(": ") + f.errorString();
        return false;
    }
    TraceEventParser parser;
    while (!f.atEnd()) {
        QByteArray line = f.readLine();
        if (line.startsWith("EVENT "))
            line.remove(0, 6);
        TraceEvent e;
        if (parser.parseLine(line.trimmed(), &e))
            out->events.append(std::move(e));
    }
    if (out->events.isEmpty()) {
        *why = file + QStringLiteral(" holds no module_get/module_put event")
            + (parser.malformed() ? QStringLiteral(" (") + parser.lastError() + QLatin1Char(')') : QString())
            + QStringLiteral(". Give the text of tracefs' trace_pipe with the module:module_get and "
                             "module:module_put events enabled.");
        return false;
    }
    out->module = out->events.constFirst().module;
    return true;
}

} // namespace kmr
