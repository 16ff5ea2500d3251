// SPDX-License-Identifier: GPL-2.0-or-later
// The helper's module name rules (core/helperclient/modulenamevalidator.h). These names arrive from
// an unprivileged caller over D-Bus: every rejection must name the rule that was broken.
#include "helperclient/modulenamevalidator.h"

#include <QTest>

using kmr::ModuleNameCheck;

Q_DECLARE_METATYPE(ModuleNameCheck::Verdict)

class TestModuleNameValidator : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void check_data();
    void check();
    void noModuleSupport();
    void syntaxNeverLooksAtState();
};

void TestModuleNameValidator::check_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<ModuleNameCheck::Verdict>("verdict");
    QTest::addColumn<QString>("canonical");
    QTest::addColumn<QString>("messagePart");

    using V = ModuleNameCheck::Verdict;
    QTest::newRow("empty") << QString() << V::InvalidName << QString() << QStringLiteral("must not be empty");
    QTest::newRow("dotdot") << QStringLiteral("..") << V::InvalidName << QString() << QStringLiteral("A-Z a-z 0-9 _ -");
    QTest::newRow("slash") << QStringLiteral("a/b") << V::InvalidName << QString() << QStringLiteral("A-Z a-z 0-9 _ -");
    QTest::newRow("4KiB") << QString(4096, QLatin1Char('a')) << V::InvalidName << QString()
                          << QStringLiteral("at most 55 bytes (got 4096)");
    QTest::newRow("56 bytes") << QString(56, QLatin1Char('a')) << V::InvalidName << QString()
                              << QStringLiteral("at most 55 bytes");
    QTest::newRow("55 bytes loaded") << QString(55, QLatin1Char('b')) << V::Ok << QString(55, QLatin1Char('b'))
                                     << QString();
    QTest::newRow("embedded NUL") << QStringLiteral("kmr_a") + QChar(0) + QStringLiteral("x") << V::InvalidName
                                  << QString() << QStringLiteral("A-Z a-z 0-9 _ -");
    QTest::newRow("newline") << QStringLiteral("kmr_a\nkmr_b") << V::InvalidName << QString()
                             << QStringLiteral("A-Z a-z 0-9 _ -");
    QTest::newRow("space") << QStringLiteral("kmr a") << V::InvalidName << QString()
                           << QStringLiteral("A-Z a-z 0-9 _ -");
    QTest::newRow("non-ASCII") << QStringLiteral("kmr_\u00e9t\u00e9") << V::InvalidName << QString()
                               << QStringLiteral("A-Z a-z 0-9 _ -");
    // 20 two-byte characters are 40 bytes: the length rule counts bytes, the character rule still applies.
    QTest::newRow("non-ASCII fullwidth") << QStringLiteral("\uff41\uff42") << V::InvalidName << QString()
                                         << QStringLiteral("A-Z a-z 0-9 _ -");
    QTest::newRow("fixer") << QStringLiteral("kmodrescue_fixer") << V::InvalidName << QString()
                           << QStringLiteral("the fixer's own name");
    QTest::newRow("fixer dashed") << QStringLiteral("kmodrescue-fixer") << V::InvalidName << QString()
                                  << QStringLiteral("the fixer's own name");
    QTest::newRow("built-in") << QStringLiteral("printk") << V::BuiltIn << QStringLiteral("printk")
                              << QStringLiteral("built into the kernel");
    QTest::newRow("absent") << QStringLiteral("kmr_absent") << V::NotLoaded << QStringLiteral("kmr_absent")
                            << QStringLiteral("is not loaded");
    QTest::newRow("valid") << QStringLiteral("kmr_victim") << V::Ok << QStringLiteral("kmr_victim") << QString();
    QTest::newRow("valid dashed") << QStringLiteral("kmr-victim") << V::Ok << QStringLiteral("kmr_victim") << QString();
    QTest::newRow("valid upper and digits")
        << QStringLiteral("Kmr9_X") << V::Ok << QStringLiteral("Kmr9_X") << QString();
}

void TestModuleNameValidator::check()
{
    QFETCH(QString, name);
    QFETCH(ModuleNameCheck::Verdict, verdict);
    QFETCH(QString, canonical);
    QFETCH(QString, messagePart);

    const QSet<QString> loaded {QStringLiteral("kmr_victim"), QString(55, QLatin1Char('b')), QStringLiteral("Kmr9_X"),
        QStringLiteral("kmodrescue_fixer")};
    const QSet<QString> builtIn {QStringLiteral("printk"), QStringLiteral("kernel")};
    const ModuleNameCheck c = kmr::checkModuleName(name, loaded, builtIn);
    QCOMPARE(c.verdict, verdict);
    QCOMPARE(c.canonical.isEmpty() ? QString() : c.canonical,
        canonical.isEmpty() && verdict == ModuleNameCheck::Verdict::InvalidName ? QString() : canonical);
    if (messagePart.isEmpty())
        QVERIFY2(c.message.isEmpty(), qPrintable(c.message));
    else
        QVERIFY2(c.message.contains(messagePart), qPrintable(c.message));
    QCOMPARE(c.ok(), verdict == ModuleNameCheck::Verdict::Ok);
}

void TestModuleNameValidator::noModuleSupport()
{
    const ModuleNameCheck c = kmr::checkModuleName(QStringLiteral("kmr_victim"), {}, {}, false);
    QCOMPARE(c.verdict, ModuleNameCheck::Verdict::NotLoaded);
    QVERIFY2(c.message.contains(QStringLiteral("no loadable module support")), qPrintable(c.message));
}

void TestModuleNameValidator::syntaxNeverLooksAtState()
{
    // A valid name passes the syntax check whether or not it is loaded: state comes later.
    QVERIFY(kmr::checkModuleNameSyntax(QStringLiteral("anything_at_all")).ok());
    QCOMPARE(kmr::checkModuleNameSyntax(QStringLiteral("a-b")).canonical, QStringLiteral("a_b"));
}

QTEST_GUILESS_MAIN(TestModuleNameValidator)
#include "tst_modulenamevalidator.moc"
