"""Modelcloud sample: a few wine-classification runs tracked with the modelcloud client.

Run from this folder:  python train.py
(needs scikit-learn; the data set ships with it, nothing is downloaded).
Runs are written to the nearest .modelcloud/ folder (or $MODELCLOUD_DIR) in
experiment "wine-quality"; open the folder in VS Code to see them in Modelcloud.
"""

from __future__ import annotations

import os
import pickle
import sys
import tempfile

import numpy as np
from sklearn.datasets import load_wine
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.metrics import accuracy_score, f1_score, log_loss
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

try:
    import modelcloud
except ImportError:  # running from a checkout of the extension: use the bundled client
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src", "python"))
    import modelcloud

SEED = 42
EXPERIMENT = "wine-quality"


#: The full wine data set is too easy (every model scores ~1.0); the first five of its
#: 13 chemical measurements leave room for the runs to differ.
FEATURES = 5


def load_data():
    data = load_wine()
    return train_test_split(data.data[:, :FEATURES], data.target, test_size=0.4, random_state=SEED,
                            stratify=data.target)


def log_final_scores(model, x_test, y_test) -> float:
    predicted = model.predict(x_test)
    accuracy = accuracy_score(y_test, predicted)
    modelcloud.log_metric("accuracy", accuracy, step=0)
    modelcloud.log_metric("f1", f1_score(y_test, predicted, average="macro"), step=0)
    return accuracy


def log_model(model, name: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, name + ".pkl")
        with open(path, "wb") as f:
            pickle.dump(model, f)
        modelcloud.log_artifact(path, artifact_path="model")


def random_forest(x_train, x_test, y_train, y_test, n_estimators: int, max_depth) -> float:
    with modelcloud.start_run(name="rf-%d-d%s" % (n_estimators, max_depth), tags={"family": "tree"}):
        modelcloud.log_params({"model": "RandomForestClassifier", "n_estimators": n_estimators,
                               "max_depth": max_depth, "random_state": SEED})
        # Grow the forest in stages (warm_start) and log test accuracy as it grows: one step per stage.
        model = RandomForestClassifier(n_estimators=0, max_depth=max_depth, random_state=SEED, warm_start=True)
        for trees in range(10, n_estimators + 1, 10):
            model.set_params(n_estimators=trees)
            model.fit(x_train, y_train)
            modelcloud.log_metric("staged_accuracy", accuracy_score(y_test, model.predict(x_test)), step=trees)
        accuracy = log_final_scores(model, x_test, y_test)
        log_model(model, "random_forest")
        return accuracy


def logistic_regression(x_train, x_test, y_train, y_test, c: float) -> float:
    with modelcloud.start_run(name="logreg-C%g" % c, tags={"family": "linear"}):
        modelcloud.log_params({"model": "LogisticRegression", "C": c, "scaler": "standard", "max_iter": 1000})
        model = make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=1000))
        model.fit(x_train, y_train)
        accuracy = log_final_scores(model, x_test, y_test)
        log_model(model, "logistic_regression")
        return accuracy


def sgd_epochs(x_train, x_test, y_train, y_test, epochs: int) -> float:
    with modelcloud.start_run(name="sgd-%d-epochs" % epochs, tags={"family": "linear"}):
        modelcloud.log_params({"model": "SGDClassifier", "loss": "log_loss", "epochs": epochs, "alpha": 1e-3})
        scaler = StandardScaler().fit(x_train)
        xs_train, xs_test = scaler.transform(x_train), scaler.transform(x_test)
        model = SGDClassifier(loss="log_loss", alpha=1e-3, random_state=SEED)
        classes = np.unique(y_train)
        for _ in range(epochs):  # step=None: each call takes the next step, 0, 1, 2, ...
            model.partial_fit(xs_train, y_train, classes=classes)
            modelcloud.log_metric("train_loss", log_loss(y_train, model.predict_proba(xs_train), labels=classes))
            modelcloud.log_metric("val_accuracy", accuracy_score(y_test, model.predict(xs_test)))
        accuracy = log_final_scores(model, xs_test, y_test)
        log_model(make_pipeline(scaler, model), "sgd")
        return accuracy


def main() -> None:
    modelcloud.set_experiment(EXPERIMENT)
    print("features: %s" % ", ".join(load_wine().feature_names[:FEATURES]))
    split = load_data()
    results = {}
    for n_estimators, max_depth in ((50, 2), (100, 4), (100, None)):
        results["rf %d/%s" % (n_estimators, max_depth)] = random_forest(*split, n_estimators, max_depth)
    for c in (0.1, 1.0):
        results["logreg C=%g" % c] = logistic_regression(*split, c)
    results["sgd"] = sgd_epochs(*split, epochs=20)
    for name, accuracy in results.items():
        print("%-16s accuracy %.3f" % (name, accuracy))
    print("runs written to %s" % os.path.join(modelcloud.resolve_store_dir(), "runs"))


if __name__ == "__main__":
    main()
