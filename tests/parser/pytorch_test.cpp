#include "helpers.h"

#include <catch2/catch.hpp>

using namespace faultline;
using namespace faultline::test;

TEST_CASE("PyTorch nn.Module: layers from __init__ in forward order, loop, DataLoader, torchvision",
          "[parser][pytorch]") {
    const std::string src = read_fixture("torch_mnist_module.py");
    TrainingProgram p = parse_program(src);
    CHECK(p.framework == Framework::PyTorch);
    CHECK(p.model_span.start.row == 10);
    std::vector<std::string> kinds;
    for (const Layer& l : p.layers)
        kinds.push_back(l.kind);
    CHECK(kinds == std::vector<std::string>{"Conv2D", "Activation", "MaxPooling2D", "Dropout", "Flatten",
                                            "Dense", "Activation", "Dense", "Activation"});
    REQUIRE(kinds.size() == 9);
    const Layer& conv = p.layers[0];
    CHECK(conv.channels_first);
    CHECK(*conv.units == 32);
    CHECK(*conv.params.at("in_channels") == 1);
    CHECK(*conv.params.at("kernel_size") == 3);
    CHECK(conv.padding == "valid");
    // The layer is where forward() calls it; its values are where __init__ builds it.
    CHECK(conv.span == span_of(src, "self.conv1(x)"));
    CHECK(conv.units.origin == span_of(src, "32", "nn.Conv2d("));
    CHECK(*p.layers[1].activation == "relu");
    CHECK(p.layers[1].activation.origin == span_of(src, "F.relu", "def forward"));
    CHECK(*p.layers[3].params.at("rate") == Approx(0.25));
    const Layer& fc1 = p.layers[5];
    CHECK(*fc1.units == 128);
    CHECK(*fc1.params.at("in_features") == 5408);
    CHECK(*fc1.kernel_initializer == "torch_default");
    CHECK(*p.layers[8].activation == "log_softmax");

    CHECK(*p.loss.name == "sparse_categorical_crossentropy");
    CHECK(p.loss.from_logits);
    CHECK(p.loss.call == span_of(src, "nn.CrossEntropyLoss()"));
    CHECK(*p.optimizer.name == "sgd");
    CHECK(*p.optimizer.lr == Approx(0.01));
    CHECK(p.optimizer.lr_keyword == "lr");
    CHECK(*p.optimizer.lr.literal == span_of(src, "0.01"));
    CHECK(*p.optimizer.momentum == Approx(0.5));

    // range(1, epochs + 1) runs `epochs` times.
    CHECK(*p.epochs == 10);
    CHECK(*p.batch_size == 64);
    CHECK(p.batch_size.origin == span_of(src, "64"));
    CHECK(p.loop.present);
    CHECK(p.loop.loop.start.row == 38);
    CHECK(p.fit_call == p.loop.loop);
    REQUIRE(p.loop.zero_grad);
    CHECK(*p.loop.zero_grad == span_of(src, "optimizer.zero_grad()"));
    REQUIRE(p.loop.backward);
    CHECK(*p.loop.backward == span_of(src, "loss.backward()"));
    REQUIRE(p.loop.step);
    CHECK(*p.loop.step == span_of(src, "optimizer.step()"));
    CHECK(p.loop.validation_without_no_grad);
    REQUIRE(p.loop.validation);
    CHECK(*p.loop.validation == span_of(src, "model(data)", "correct = 0"));

    CHECK(*p.data.source == "mnist");
    CHECK(p.data.input_shape == std::vector<int64_t>{1, 28, 28});
    CHECK(p.data.labels == LabelFormat::Integer);
    CHECK(*p.data.num_classes == 10);
    CHECK(*p.data.scaled);
}

TEST_CASE("PyTorch nn.Sequential regression, full-batch loop without zero_grad", "[parser][pytorch]") {
    const std::string src = read_fixture("torch_sequential.py");
    TrainingProgram p = parse_program(src);
    REQUIRE(p.layers.size() == 3);
    CHECK(p.layers[0].kind == "Dense");
    CHECK(p.layers[0].input_shape == std::vector<int64_t>{3});
    CHECK(p.layers[1].kind == "Activation");
    CHECK(*p.layers[1].activation == "tanh");
    CHECK(p.layers[2].input_shape.empty());
    CHECK(*p.loss.name == "mean_squared_error");
    CHECK(p.loss.reduction == "sum");
    CHECK(*p.optimizer.name == "adam");
    CHECK(p.optimizer.lr.kind == OriginKind::Default);
    CHECK(*p.optimizer.lr == Approx(0.001));
    CHECK(*p.epochs == 200);
    CHECK(p.loop.present);
    CHECK_FALSE(p.loop.zero_grad);
    CHECK(p.loop.step);
    CHECK_FALSE(p.loop.validation_without_no_grad);
    CHECK(*p.batch_size == 500);
    CHECK(*p.data.source == "random");
    CHECK(p.data.input_shape == std::vector<int64_t>{3});
    CHECK(p.data.labels == LabelFormat::Real);
}

TEST_CASE("PyTorch: SGD without lr is unknown, functional losses, no_grad validation", "[parser][pytorch]") {
    const std::string src = R"(import torch
import torch.nn.functional as F
net = torch.nn.Sequential(torch.nn.Linear(4, 2))
opt = torch.optim.SGD(net.parameters())
x = torch.rand(32, 4)
y = torch.randint(0, 2, (32,))
for epoch in range(5):
    opt.zero_grad()
    loss = F.cross_entropy(net(x), y)
    loss.backward()
    opt.step()
    with torch.no_grad():
        val = net(x)
)";
    TrainingProgram p = parse_program(src);
    CHECK(*p.optimizer.name == "sgd");
    CHECK(p.optimizer.lr.kind == OriginKind::Unknown);
    CHECK(p.optimizer.lr.note.find("requires lr") != std::string::npos);
    CHECK(*p.loss.name == "sparse_categorical_crossentropy");
    CHECK(p.loss.from_logits);
    CHECK(p.loss.call == span_of(src, "F.cross_entropy(net(x), y)"));
    CHECK_FALSE(p.loop.validation_without_no_grad);
    CHECK(*p.epochs == 5);
    // randint(0, 2): one 0/1 column.
    CHECK(p.data.labels == LabelFormat::Binary);
    REQUIRE(p.data.num_classes.known());
    CHECK(*p.data.num_classes == 2);
}

TEST_CASE("PyTorch manual batches: x[i:i + B] gives the data and the batch size", "[parser][pytorch]") {
    const std::string src = R"(import torch
from torch import nn
X = torch.rand(600, 8)
Y = torch.randint(0, 4, (600,))
net = nn.Sequential(nn.Linear(8, 4))
opt = torch.optim.Adagrad(net.parameters(), lr=0.1)
loss_fn = nn.CrossEntropyLoss()
bs = 50
for epoch in range(3):
    for i in range(0, 600, bs):
        opt.zero_grad()
        loss_fn(net(X[i:i + bs]), Y[i:i + bs]).backward()
        opt.step()
)";
    TrainingProgram p = parse_program(src);
    REQUIRE(p.batch_size.known());
    CHECK(*p.batch_size == 50);
    CHECK(p.batch_size.origin == span_of(src, "50"));
    CHECK(*p.data.num_samples == 600);
    CHECK(p.data.labels == LabelFormat::Integer);
    CHECK(*p.data.num_classes == 4);
    CHECK(*p.epochs == 3);
    CHECK(*p.loss.name == "sparse_categorical_crossentropy");
    CHECK(*p.optimizer.name == "adagrad");
}

TEST_CASE("PyTorch: constructor arguments reach __init__, reshape in the loop sets the input shape",
          "[parser][pytorch]") {
    const std::string src = R"(import torch
import torch.nn as nn
import torchvision
import torchvision.transforms as transforms
train_dataset = torchvision.datasets.FashionMNIST(root='data', train=True, transform=transforms.ToTensor())
train_loader = torch.utils.data.DataLoader(dataset=train_dataset, batch_size=100, shuffle=True)
class Net(nn.Module):
    def __init__(self, input_size, hidden_size, num_classes):
        super(Net, self).__init__()
        self.fc1 = nn.Linear(input_size, hidden_size)
        self.relu = nn.ReLU()
        self.fc2 = nn.Linear(hidden_size, num_classes)
    def forward(self, x):
        out = self.fc1(x)
        out = self.relu(out)
        return self.fc2(out)
model = Net(784, 500, 10).to('cpu')
criterion = nn.NLLLoss()
optimizer = torch.optim.RMSprop(model.parameters(), lr=0.002)
for epoch in range(7):
    for i, (images, labels) in enumerate(train_loader):
        images = images.reshape(-1, 28 * 28).to('cpu')
        loss = criterion(model(images), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
)";
    TrainingProgram p = parse_program(src);
    REQUIRE(p.layers.size() == 3);
    CHECK(*p.layers[0].units == 500);
    CHECK(p.layers[0].units.origin == span_of(src, "500"));
    CHECK(*p.layers[0].params.at("in_features") == 784);
    CHECK(*p.layers[2].units == 10);
    CHECK(*p.loss.name == "nll");
    CHECK_FALSE(p.loss.from_logits);
    CHECK(*p.optimizer.name == "rmsprop");
    CHECK(*p.optimizer.momentum == 0);
    CHECK(*p.data.source == "fashion_mnist");
    CHECK(p.data.input_shape == std::vector<int64_t>{784});
    CHECK(*p.data.input_max == 1);
    CHECK(*p.batch_size == 100);
    CHECK(*p.epochs == 7);
    CHECK(p.loop.zero_grad);
}

TEST_CASE("PyTorch: a script borrowing only Keras's dataset loader trains with PyTorch",
          "[parser][pytorch]") {
    const std::string src = "import torch\n"
                            "import torch.nn as nn\n"
                            "from tensorflow.keras.datasets import mnist\n"
                            "(x_train, y_train), _ = mnist.load_data()\n"
                            "X = torch.tensor(x_train, dtype=torch.float32)\n"
                            "Y = torch.tensor(y_train, dtype=torch.long)\n"
                            "model = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))\n"
                            "optimizer = torch.optim.Adam(model.parameters())\n"
                            "for epoch in range(3):\n"
                            "    optimizer.zero_grad()\n"
                            "    loss = nn.functional.cross_entropy(model(X), Y)\n"
                            "    loss.backward()\n"
                            "    optimizer.step()\n";
    TrainingProgram p = parse_program(src);
    CHECK(p.framework == Framework::PyTorch);
    CHECK(p.layers.size() == 2);
    CHECK(p.data.source.value_or("") == "mnist");

    // A script that builds its network with Keras layers stays a Keras script even when it imports torch.
    const std::string keras = "import torch\n"
                              "from tensorflow import keras\n"
                              "model = keras.Sequential([keras.layers.Dense(10, activation='softmax')])\n"
                              "model.compile(optimizer='adam', loss='categorical_crossentropy')\n";
    CHECK(parse_program(keras).framework == Framework::TfKeras);
}
