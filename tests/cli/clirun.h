// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once
// Runs the kmodrescue-cli under test (KMR_CLI) for the CLI test suites.

#include <QProcess>

struct CliRun {
    int exitCode; // -1: timed out (killed), -2: crashed
    QByteArray out, err;
};

inline CliRun runCli(const QStringList &args, int timeoutMs = 120000)
{
    QProcess p;
    p.setProgram(QStringLiteral(KMR_CLI));
    p.setArguments(args);
    // The fixtures' .ko files are found from the fixture root, not from a developer's override.
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("KMODRESCUE_MODULE_PATH"));
    p.setProcessEnvironment(env);
    p.start();
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        return {-1, p.readAllStandardOutput(), "timed out: " + p.readAllStandardError()};
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2, p.readAllStandardOutput(),
        p.readAllStandardError()};
}
