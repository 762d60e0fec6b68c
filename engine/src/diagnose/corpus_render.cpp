// Renders a ProgramConfig as the Python a practitioner would write, so that the corpus goes through the same
// parser as user scripts.
#include "faultline/engine/train.h"

#include <cstdio>
#include <sstream>

namespace faultline::corpus {

namespace {

std::string lr_text(double lr) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g", lr);
    std::string s = buf;
    if (s.find_first_of(".e") == std::string::npos) s += ".0";
    return s;
}

std::string keras_optimizer_class(const std::string& name) {
    if (name == "sgd") return "SGD";
    if (name == "adam") return "Adam";
    if (name == "rmsprop") return "RMSprop";
    if (name == "adagrad") return "Adagrad";
    if (name == "adadelta") return "Adadelta";
    return "Adam";
}

bool raw_range(const ProgramConfig& c) {
    return c.dataset == "mnist" || c.dataset == "fashion_mnist" || c.dataset == "cifar10" ||
           c.dataset == "boston_housing";
}

// ---------------------------------------------------------------- Keras

void keras_data(const ProgramConfig& c, std::ostringstream& o) {
    const bool onehot = c.loss == "categorical_crossentropy" ||
                        (c.task == Task::Multiclass && c.loss != "sparse_categorical_crossentropy");
    if (c.dataset == "random") {
        o << "x_train = np.random.random((" << c.samples << ", " << c.features << "))\n";
        o << "x_test = np.random.random((" << c.samples / 5 << ", " << c.features << "))\n";
        if (c.task == Task::Regression) {
            o << "y_train = np.random.random((" << c.samples << ", 1))\n";
            o << "y_test = np.random.random((" << c.samples / 5 << ", 1))\n";
        } else {
            o << "y_train = np.random.randint(" << c.classes << ", size=(" << c.samples << ", 1))\n";
            o << "y_test = np.random.randint(" << c.classes << ", size=(" << c.samples / 5 << ", 1))\n";
        }
    } else {
        o << "(x_train, y_train), (x_test, y_test) = " << c.dataset << ".load_data(";
        if (c.vocabulary > 0) o << "num_words=" << c.vocabulary;
        o << ")\n";
        if (c.dataset == "mnist" || c.dataset == "fashion_mnist") {
            if (c.shape == Shape::Cnn) {
                o << "x_train = x_train.reshape(60000, 28, 28, 1).astype('float32')\n";
                o << "x_test = x_test.reshape(10000, 28, 28, 1).astype('float32')\n";
            } else {
                o << "x_train = x_train.reshape(60000, 784).astype('float32')\n";
                o << "x_test = x_test.reshape(10000, 784).astype('float32')\n";
            }
        } else if (c.dataset == "cifar10") {
            o << "x_train = x_train.astype('float32')\n";
            o << "x_test = x_test.astype('float32')\n";
        } else if (c.dataset == "imdb" || c.dataset == "reuters") {
            o << "x_train = sequence.pad_sequences(x_train, maxlen=" << c.features << ")\n";
            o << "x_test = sequence.pad_sequences(x_test, maxlen=" << c.features << ")\n";
        }
        if (c.scaled && raw_range(c)) {
            if (c.dataset == "boston_housing") {
                o << "mean = x_train.mean(axis=0)\n";
                o << "std = x_train.std(axis=0)\n";
                o << "x_train = (x_train - mean) / std\n";
                o << "x_test = (x_test - mean) / std\n";
            } else {
                o << "x_train /= 255\n";
                o << "x_test /= 255\n";
            }
        }
    }
    if (onehot && c.task != Task::Regression && c.classes > 2) {
        o << "y_train = to_categorical(y_train, " << c.classes << ")\n";
        o << "y_test = to_categorical(y_test, " << c.classes << ")\n";
    }
    o << "\n";
}

std::string keras_layer_args(const ProgramConfig& c, const HiddenLayer& l, bool first) {
    std::ostringstream a;
    if (l.kind == "Dense")
        a << l.units;
    else if (l.kind == "Conv2D")
        a << l.units << ", (3, 3)";
    else if (l.kind == "Embedding")
        a << c.vocabulary << ", " << l.units;
    else if (l.kind == "LSTM" || l.kind == "GRU")
        a << l.units;
    else if (l.kind == "MaxPooling2D")
        a << "pool_size=(2, 2)";
    else if (l.kind == "Dropout")
        a << l.rate;
    const bool weights = l.kind == "Dense" || l.kind == "Conv2D";
    if (!l.activation.empty() && !c.separate_activations) a << ", activation='" << l.activation << "'";
    if (weights && !c.kernel_initializer.empty())
        a << ", kernel_initializer='" << c.kernel_initializer << "'";
    if (first) {
        if (l.kind == "Embedding")
            a << ", input_length=" << c.features;
        else if (c.shape == Shape::Cnn)
            a << (c.dataset == "cifar10" ? ", input_shape=(32, 32, 3)" : ", input_shape=(28, 28, 1)");
        else
            a << ", input_dim=" << c.features;
    }
    return a.str();
}

std::string render_keras(const ProgramConfig& c) {
    std::ostringstream o;
    o << "import numpy as np\n";
    o << "from keras.models import Sequential\n";
    o << "from keras.layers import Dense, Activation, Dropout, Flatten, Conv2D, MaxPooling2D, Embedding, "
         "LSTM, GRU\n";
    o << "from keras.optimizers import SGD, Adam, RMSprop, Adagrad, Adadelta\n";
    o << "from keras.utils import to_categorical\n";
    if (c.dataset != "random") o << "from keras.datasets import " << c.dataset << "\n";
    if (c.dataset == "imdb" || c.dataset == "reuters") o << "from keras.preprocessing import sequence\n";
    o << "\n";
    keras_data(c, o);
    o << "model = Sequential()\n";
    bool first = true;
    auto add = [&](const HiddenLayer& l) {
        o << "model.add(" << l.kind << "(" << keras_layer_args(c, l, first) << "))\n";
        if (c.separate_activations && !l.activation.empty())
            o << "model.add(Activation('" << l.activation << "'))\n";
        first = false;
    };
    for (const auto& l : c.hidden)
        add(l);
    add(HiddenLayer{"Dense", c.output_units, c.output_activation, 0.0});
    if (c.optimizer_as_string) {
        o << "\nmodel.compile(loss='" << c.loss << "', optimizer='" << c.optimizer
          << "', metrics=['accuracy'])\n";
    } else {
        o << "\noptimizer = " << keras_optimizer_class(c.optimizer) << "(lr=" << lr_text(c.lr);
        if (c.optimizer == "sgd" && c.momentum > 0) o << ", momentum=" << c.momentum;
        o << ")\n";
        o << "model.compile(loss='" << c.loss << "', optimizer=optimizer, metrics=['accuracy'])\n";
    }
    o << "model.fit(x_train, y_train, epochs=" << c.epochs << ", batch_size=" << c.batch_size
      << ", validation_data=(x_test, y_test))\n";
    o << "score = model.evaluate(x_test, y_test, verbose=0)\n";
    o << "print('Test loss:', score[0])\n";
    return o.str();
}

// ---------------------------------------------------------------- PyTorch

std::string torch_activation(const std::string& act, const std::string& x) {
    if (act == "relu") return "F.relu(" + x + ")";
    if (act == "sigmoid") return "torch.sigmoid(" + x + ")";
    if (act == "tanh") return "torch.tanh(" + x + ")";
    if (act == "softmax") return "F.softmax(" + x + ", dim=1)";
    if (act == "log_softmax") return "F.log_softmax(" + x + ", dim=1)";
    if (act == "softplus") return "F.softplus(" + x + ")";
    if (act == "softsign") return "F.softsign(" + x + ")";
    if (act == "selu") return "F.selu(" + x + ")";
    if (act == "elu") return "F.elu(" + x + ")";
    return x;
}

std::string torch_loss(const std::string& loss) {
    if (loss == "sparse_categorical_crossentropy" || loss == "categorical_crossentropy")
        return "nn.CrossEntropyLoss()";
    if (loss == "binary_crossentropy") return "nn.BCELoss()";
    if (loss == "mean_absolute_error") return "nn.L1Loss()";
    if (loss == "nll") return "nn.NLLLoss()";
    return "nn.MSELoss()";
}

std::string torch_optimizer(const std::string& name) {
    if (name == "sgd") return "SGD";
    if (name == "rmsprop") return "RMSprop";
    if (name == "adagrad") return "Adagrad";
    if (name == "adadelta") return "Adadelta";
    return "Adam";
}

std::string render_pytorch(const ProgramConfig& c) {
    std::ostringstream o;
    o << "import torch\n";
    o << "import torch.nn as nn\n";
    o << "import torch.nn.functional as F\n";
    o << "import torch.optim as optim\n";
    o << "from torch.utils.data import DataLoader, TensorDataset\n";
    if (c.dataset != "random") o << "from torchvision import datasets, transforms\n";
    o << "\n\nclass Net(nn.Module):\n";
    o << "    def __init__(self):\n";
    o << "        super(Net, self).__init__()\n";
    // Layers with weights get attributes; the forward pass applies activations and pooling functionally.
    int64_t width = c.features;
    int64_t channels = 1, side = 28;
    int conv = 0, fc = 0;
    std::vector<std::string> forward;
    auto init_line = [&](const std::string& attr) {
        if (c.kernel_initializer == "zeros") return "        nn.init.zeros_(self." + attr + ".weight)\n";
        if (c.kernel_initializer == "ones") return "        nn.init.ones_(self." + attr + ".weight)\n";
        return std::string();
    };
    for (const auto& l : c.hidden) {
        if (l.kind == "Conv2D") {
            const std::string attr = "conv" + std::to_string(++conv);
            o << "        self." << attr << " = nn.Conv2d(" << channels << ", " << l.units
              << ", kernel_size=3)\n";
            o << init_line(attr);
            forward.push_back("x = " + torch_activation(l.activation, "self." + attr + "(x)"));
            channels = l.units;
            side -= 2;
        } else if (l.kind == "MaxPooling2D") {
            forward.push_back("x = F.max_pool2d(x, 2)");
            side /= 2;
        } else if (l.kind == "Flatten") {
            forward.push_back("x = x.view(x.size(0), -1)");
            width = channels * side * side;
        } else if (l.kind == "Dense") {
            const std::string attr = "fc" + std::to_string(++fc);
            o << "        self." << attr << " = nn.Linear(" << width << ", " << l.units << ")\n";
            o << init_line(attr);
            forward.push_back("x = " + torch_activation(l.activation, "self." + attr + "(x)"));
            width = l.units;
        }
    }
    const std::string attr = "fc" + std::to_string(++fc);
    o << "        self." << attr << " = nn.Linear(" << width << ", " << c.output_units << ")\n";
    o << init_line(attr);
    forward.push_back("x = " + torch_activation(c.output_activation, "self." + attr + "(x)"));
    o << "\n    def forward(self, x):\n";
    for (const auto& line : forward)
        o << "        " << line << "\n";
    o << "        return x\n\n\n";

    if (c.dataset == "random") {
        o << "x_train = torch.rand(" << c.samples << ", " << c.features << ")\n";
        if (c.task == Task::Regression)
            o << "y_train = torch.rand(" << c.samples << ", 1)\n";
        else if (c.task == Task::Binary)
            o << "y_train = torch.randint(0, 2, (" << c.samples << ", 1)).float()\n";
        else
            o << "y_train = torch.randint(0, " << c.classes << ", (" << c.samples << ",))\n";
        o << "train_loader = DataLoader(TensorDataset(x_train, y_train), batch_size=" << c.batch_size
          << ", shuffle=True)\n\n";
    } else {
        o << "transform = transforms.Compose([transforms.ToTensor()";
        if (c.scaled) o << ", transforms.Normalize((0.1307,), (0.3081,))";
        o << "])\n";
        o << "train_set = datasets.MNIST('data', train=True, download=True, transform=transform)\n";
        o << "train_loader = DataLoader(train_set, batch_size=" << c.batch_size << ", shuffle=True)\n\n";
    }
    o << "model = Net()\n";
    o << "criterion = " << torch_loss(c.loss) << "\n";
    o << "optimizer = optim." << torch_optimizer(c.optimizer) << "(model.parameters(), lr=" << lr_text(c.lr)
      << ")\n\n";
    o << "for epoch in range(" << c.epochs << "):\n";
    o << "    for inputs, labels in train_loader:\n";
    if (c.shape == Shape::Mlp && c.dataset != "random")
        o << "        inputs = inputs.view(inputs.size(0), -1)\n";
    o << "        optimizer.zero_grad()\n";
    o << "        outputs = model(inputs)\n";
    o << "        loss = criterion(outputs, labels)\n";
    o << "        loss.backward()\n";
    o << "        optimizer.step()\n";
    o << "    print('epoch', epoch, 'loss', loss.item())\n";
    return o.str();
}

} // namespace

std::string render(const ProgramConfig& config) {
    return config.flavour == Flavour::PyTorch ? render_pytorch(config) : render_keras(config);
}

} // namespace faultline::corpus
