# A binary classifier whose last layer can never learn: softmax over a single unit always outputs 1.0.
# faultline flags the activation on line 16 (and explains why the loss stays flat).
import numpy as np
from keras.models import Sequential
from keras.layers import Dense
from keras.optimizers import SGD

learning_rate = 0.01

x_train = np.random.random((1000, 20))
y_train = np.random.randint(2, size=(1000, 1))

model = Sequential()
model.add(Dense(64, activation='relu', input_dim=20))
model.add(Dense(64, activation='relu'))
model.add(Dense(1, activation='softmax'))

model.compile(loss='binary_crossentropy',
              optimizer=SGD(lr=learning_rate, momentum=0.9),
              metrics=['accuracy'])
model.fit(x_train, y_train, epochs=20, batch_size=32)
