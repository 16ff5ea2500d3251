// SPDX-License-Identifier: GPL-2.0-or-later
#include "tracesource.h"

#include "refcount/tracefile.h"

namespace kmr::cli {

int readTraceFileArg(Context &ctx, const QString &command, const QString &file, RecordedTrace *trace)
{
    QString why;
    if (readTraceFile(file, trace, &why))
        return ExitOk;
    ctx.err << "kmodrescue-cli " << command << ": " << why << '\n';
    return ExitBadInput;
}

} // namespace kmr::cli
