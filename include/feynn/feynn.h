/* feynn/feynn.h - umbrella header of libfeynn: perturbation theory of neural networks.
 * Includes every public module header, lowest layer first. */
#ifndef FEYNN_FEYNN_H
#define FEYNN_FEYNN_H

#include "feynn/error.h"
#include "feynn/util.h"
#include "feynn/num.h"
#include "feynn/series.h"
#include "feynn/io.h"
#include "feynn/graph.h"
#include "feynn/rules.h"
#include "feynn/enumerate.h"
#include "feynn/feynman.h"
#include "feynn/jet.h"
#include "feynn/draw.h"
#include "feynn/eval.h"
#include "feynn/mlp.h"
#include "feynn/train.h"
#include "feynn/rng.h"
#include "feynn/par.h"
#include "feynn/sample.h"
#include "feynn/born.h"
#include "feynn/borntaylor.h"
#include "feynn/inn.h"
#include "feynn/nnft.h"

#endif
