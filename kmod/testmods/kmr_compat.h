/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Version guards for the kmodrescue lab modules, all in one place.
 */
#ifndef KMR_COMPAT_H
#define KMR_COMPAT_H

#include <linux/device.h>
#include <linux/version.h>

/* class_create() lost its owner argument in 6.4. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
#define kmr_class_create(name) class_create(name)
#else
#define kmr_class_create(name) class_create(THIS_MODULE, name)
#endif

/* struct class's devnode() callback takes a const device since 6.2. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#define KMR_DEVNODE_CONST const
#else
#define KMR_DEVNODE_CONST
#endif

#endif /* KMR_COMPAT_H */
