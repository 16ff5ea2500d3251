/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KMR_PROVIDER_H
#define KMR_PROVIDER_H

int kmr_provider_answer(void);

#endif /* KMR_PROVIDER_H */
