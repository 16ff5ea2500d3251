// SPDX-License-Identifier: GPL-2.0-or-later
#include "diagnosis/oopscitation.h"

#include "kernellog/kmsgreader.h"
#include "kernellog/oopsextractor.h"
#include "util/fileread.h"

namespace kmr {

QList<OopsCitation> citationsFromExcerpts(const QList<kernellog::OopsExcerpt> &excerpts)
{
    QList<OopsCitation> out;
    int n = 0;
    for (const kernellog::OopsExcerpt &e : excerpts) {
        OopsCitation c;
        c.id = QStringLiteral("oops-") + QString::number(++n);
        c.title = e.title;
        c.faultingFunction = e.faultingFunction;
        c.faultingModule = canonicalModuleName(e.faultingModule);
        for (const QString &m : kernellog::implicatedModules(e))
            c.implicatedModules << canonicalModuleName(m);
        for (const kernellog::OopsFrame &f : e.frames)
            c.callTrace << f.function
                    + (f.module.isEmpty() ? QString() : QStringLiteral(" [") + f.module + QLatin1Char(']'));
        c.lines = e.lines;
        out << c;
    }
    return out;
}

QList<OopsCitation> readOopsCitations(const QString &root, const QString &logFile, QString *why, bool *refused)
{
    if (refused)
        *refused = false;
    if (!logFile.isEmpty()) {
        QString error;
        const kernellog::KernelLog log = kernellog::readLogFile(logFile, &error);
        if (!error.isEmpty()) {
            if (why)
                *why = error;
            return {};
        }
        return citationsFromExcerpts(kernellog::OopsExtractor::extract(log));
    }
    const QString kmsg = joinRoot(root, QStringLiteral("/dev/kmsg"));
    kernellog::KernelLogError error = kernellog::KernelLogError::None;
    QString errorString;
    const kernellog::KernelLog log = kernellog::readKmsg(kmsg, &error, &errorString);
    if (error != kernellog::KernelLogError::None) {
        if (refused)
            *refused = error == kernellog::KernelLogError::PermissionDenied;
        if (why) {
            *why = QStringLiteral("the kernel log could not be read (") + errorString + QStringLiteral(")");
            if (error == kernellog::KernelLogError::PermissionDenied)
                *why += QStringLiteral(": kernel.dmesg_restrict keeps it from normal users. Save it with "
                                       "`sudo dmesg > kernel.log` and pass --log kernel.log, so crashes can be cited");
        }
        return {};
    }
    return citationsFromExcerpts(kernellog::OopsExtractor::extract(log));
}

} // namespace kmr
