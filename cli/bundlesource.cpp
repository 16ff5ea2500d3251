// SPDX-License-Identifier: GPL-2.0-or-later
#include "bundlesource.h"

#include "bundle/samplebundle.h"

namespace kmr::cli {

int loadBundle(Context &ctx, bundle::BundleContents *out)
{
    bundle::BundleError error = bundle::BundleError::None;
    QString message;
    if (!bundle::openBundle(ctx.bundle, out, &error, &message)) {
        ctx.err << "kmodrescue-cli: cannot open " << message << '\n'; // the message starts with the path
        return ExitBadInput;
    }
    if (bundle::isSampleBundle(ctx.bundle)) // stderr: --json output stays one document
        ctx.err << "kmodrescue-cli: SAMPLE: " << bundle::sampleBundleBanner(*out) << '\n';
    return ExitOk;
}

} // namespace kmr::cli
