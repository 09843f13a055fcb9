"""The sample's wine classifier as a model service (the seed's API).

It serves whichever registry version it is deployed with: `model: models:/wine@champion` in
modelcloud.yaml is resolved when you deploy (say to models:/wine/2) and `load_model()` loads
that version's pickled model from the workspace's store. Register a run's model first:

    modelcloud register --run RUN_ID --artifact model --name wine
    modelcloud alias wine 1 champion
    modelcloud deploy wine-service
"""
import modelcloud
from modelcloud.data_types import integer, number

# The five measurements train.py uses (the first five of scikit-learn's wine data set).
FEATURES = ['alcohol', 'malic_acid', 'ash', 'alcalinity_of_ash', 'magnesium']

X = {name: number(description=name.replace('_', ' ')) for name in FEATURES}
Y = {'cultivar': integer(description="predicted cultivar class (0, 1 or 2)")}


@modelcloud.setup
def setup():
    return modelcloud.load_model()  # the version this deploy resolved models:/wine@champion to


@modelcloud.command('predict', inputs=X, outputs=Y)
def predict(model, input):
    """Predicts the cultivar of one wine from its measurements."""
    return {'cultivar': int(model.predict([[input[name] for name in FEATURES]])[0])}


if __name__ == '__main__':
    modelcloud.run(port=9100, runenv="prod", workers=1)
